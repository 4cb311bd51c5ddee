"""The city's programs as pure rules: rates and dates, citations and their penalties, payment
plans, the cumulative GL split, TOT returns, business and animal licences, parking permits
(each pricing its lines as ``parts.Part``s), and the program rules a city imports
(programs.md).  No SQL and
no Qt here: the Desk prices lines through these, and tests check them against the contract's
definitions."""
