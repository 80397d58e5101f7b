import sys

from lexlab.cli import main

sys.exit(main())
