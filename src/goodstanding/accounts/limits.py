"""The named limits of every accounts action, separately per account, per IP and globally.

Password checks, code sending, code checking and password resets each have their own buckets, so
exhausting one (say, wrong codes) never blocks another (the owner's password). Codes are limited by
the address they go to, whether or not an account has it, so the limits themselves reveal nothing.
"""

from __future__ import annotations

from datetime import timedelta

from goodstanding.kit.ratelimit import Escalation, Limiter

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Wrong passwords for one account: a captcha from the 3rd, waits from the 10th (30 s, doubling up
# to an hour), and a hard stop at 100 in a row (NIST SP 800-63B's ceiling) until a password reset.
SIGN_IN_ACCOUNT_WINDOW = DAY
SIGN_IN_ESCALATION = Escalation(
    captcha_after=3,
    delay_after=10,
    first_delay=timedelta(seconds=30),
    max_delay=HOUR,
    hard_stop=100,
)
CONSECUTIVE_FAILURES = Limiter("sign_in.consecutive", limit=100, window=timedelta(days=3650))
SIGN_IN_ACCOUNT = Limiter("sign_in.account", limit=SIGN_IN_ESCALATION.hard_stop, window=DAY)
SIGN_IN_IP_CAPTCHA_AFTER = 10
SIGN_IN_IP = Limiter("sign_in.ip", limit=100, window=15 * MINUTE)
SIGN_IN_GLOBAL = Limiter("sign_in.global", limit=5000, window=5 * MINUTE)

CODE_SEND_DESTINATION = Limiter("code_send.destination", limit=5, window=HOUR)
CODE_SEND_IP = Limiter("code_send.ip", limit=20, window=HOUR)
CODE_SEND_GLOBAL = Limiter("code_send.global", limit=2000, window=HOUR)

CODE_CHECK_IP = Limiter("code_check.ip", limit=50, window=15 * MINUTE)
CODE_CHECK_GLOBAL = Limiter("code_check.global", limit=5000, window=15 * MINUTE)

RESET_ACCOUNT = Limiter("reset.account", limit=5, window=DAY)
RESET_IP = Limiter("reset.ip", limit=20, window=DAY)

REAUTHENTICATE_ACCOUNT = Limiter("reauthenticate.account", limit=10, window=15 * MINUTE)
