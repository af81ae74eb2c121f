"""What every mockkit HTML page shares: one stylesheet, a base template, form tokens, headers.

The mocks, the harness and the flow view each serve pages, and the harness may import nothing
of the mocks (it must run against the real vendors), so the shared look and the shared page
safety live here, in a package all three may depend on.
"""

from pagekit.blueprint import pagekit_blueprint
from pagekit.csrf import CSRF_FIELD, FormGuard, protect_forms
from pagekit.headers import secure_page

__all__ = ["CSRF_FIELD", "FormGuard", "pagekit_blueprint", "protect_forms", "secure_page"]
