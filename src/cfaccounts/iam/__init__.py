"""IAM permission groups and resource groups: what member policies are made of.

The IAM permission groups are the built-in account roles, under the same ids: a member
policy that allows a permission group grants what the role of that id grants. Resource
groups are the account's rows of the ``resource_groups`` table; every account has one
covering the whole account.
"""
