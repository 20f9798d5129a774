"""`python -m revka_cli`."""

from revka_cli.cli.entry import main

raise SystemExit(main())
