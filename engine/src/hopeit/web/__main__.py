"""``python -m hopeit.web``: serve apps (the flags of ``hopeit_server run``); ``--worker`` runs a worker."""

from hopeit.web.server import main

main()
