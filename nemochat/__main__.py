from nemochat.cli import main

raise SystemExit(main())
