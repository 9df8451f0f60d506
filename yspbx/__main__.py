from yspbx.cli import main

main()
