"""The collection workflow: strategies, debtor types, contact plans and logs, promises,
arrangements, the case state machine and worklist priority. Pure domain: no I/O, no clock."""
