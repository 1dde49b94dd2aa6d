"""Helpers that several test files share: the people, rooms and clocks of the tests, the desk
without Matrix, the bot on the real homeserver, the bot as a process, the scheduler's stand-ins
and the statement counters. Test files import from here and never from one another."""
