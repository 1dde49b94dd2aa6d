"""The demo and developer tools: a throwaway Synapse, sample data, a terminal chat, the README
command table. Nothing here runs in a deployed bot."""
