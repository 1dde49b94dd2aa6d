"""``kuemmerer demo``: a throwaway homeserver, two people and the bot, chatting in the terminal.

``kuemmerer demo`` (or ``make demo``) starts a local Synapse on loopback, registers the bot,
Anna Schulz of the Bildungsbüro (team member and admin) and Bernd Keller (member of the
Bildungsbeirat), creates the team room and the encrypted committee room, seeds the sample data
and runs the bot in this process. You then chat as Anna or Bernd in the terminal; any Matrix
client (e.g. Element) can log in with the printed credentials instead.

``kuemmerer demo --script bot/devtools/demo_script.txt`` sends the lines of a script instead
and prints the transcript. The shipped sample script asks for help in both rooms, as Anna and
as Bernd, and sends a misspelt command. Script lines: ``#`` starts a comment,
``/raum``/``/room`` and ``/als``/``/as`` switch room and person, every other non-empty line
is sent as a message.

Everything lives in ``--dir`` (default ``.demo``). The demo is throwaway: each run deletes what
an earlier one left there and starts from scratch; ``--keep`` reuses it instead (users, rooms and
data, and a faster start). Files the bot sends (chart, ``.ics``, vCard) are saved in
``downloads/`` and their place is printed; what the bot posts into another room or a direct chat
is printed as a line naming that room::

    homeserver/    the LocalSynapse: config, database, log
    people/NAME/   the encryption stores of Anna's and Bernd's terminal clients
    bot/           the bot's encryption store and its SQLite database
    demo.json      the people's logins and the room ids
    config.toml    the bot's configuration
    downloads/     the files the bot sent

The homeserver stops with the demo. To run the bot as a service against it instead, start
Synapse alone (``python -m synapse.app.homeserver -c .demo/homeserver/homeserver.yaml``) and
then ``kuemmerer run --config .demo/config.toml`` — not while the demo itself runs, because both
would use the same device and database.
"""
