from gitopsgen.cli.app import main

main()
