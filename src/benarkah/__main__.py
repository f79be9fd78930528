from benarkah.cli import main

main()
