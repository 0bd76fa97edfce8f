"""The policy: every rule of who may do what lives in linkage.permissions and in these modules."""
# linkage.permissions holds the actor, the shared write rules, the read conditions and the field
# rules; each module here holds one domain's role rules, built on linkage.policy.parties. Nothing
# outside the policy compares a role: tests/unit/test_policy_home.py fails if anything does.
