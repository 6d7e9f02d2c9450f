"""Control plane: the tenant registry (Municipality, Domain), onboarding, lifecycle, routing."""
