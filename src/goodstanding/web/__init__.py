"""Pages for buyers and sellers: Jinja2 templates (+ HTMX), routes that only call services."""
