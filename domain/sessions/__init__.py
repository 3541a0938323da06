"""Sessions and budgets: the session model and rules, pricing, the ledger, the budget."""
