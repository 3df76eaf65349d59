"""aioapigateway."""
