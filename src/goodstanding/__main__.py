from goodstanding.cli import main

main()
