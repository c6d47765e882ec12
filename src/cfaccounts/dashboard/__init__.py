"""The dashboard at ``/_cfaccounts/ui``: what is in the database, the recent requests,
and the decision behind every refusal. Served by the server itself from one static page;
its data comes from admin routes behind the admin token."""
