from branchdesk.app import main

raise SystemExit(main())
