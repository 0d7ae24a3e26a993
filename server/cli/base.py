"""What every command shares: exit statuses, the production refusal, running work with the database open."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server.settings import Settings

R = TypeVar("R")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2

PASSWORD_ENV = "DIEUHANH_ADMIN_PASSWORD"
APP_FACTORY = "server.app:create_app"

PRODUCTION_REFUSAL = (
    "Từ chối khởi động: đang chạy ở chế độ production (PRODUCTION=1) nhưng cơ sở dữ liệu còn tài khoản demo "
    "với mật khẩu công khai. Hãy khóa hoặc xóa các tài khoản demo (python -m server demo-logins liệt kê chúng) "
    "trước khi chạy thật.\n"
    "Refusing to start: PRODUCTION is set but the database still has demo accounts, whose password is public. "
    "Deactivate or delete the demo accounts (python -m server demo-logins lists them) first."
)
DEMO_IN_PRODUCTION = (
    "Không nạp dữ liệu mẫu khi PRODUCTION đang bật.\n"
    "Refusing to load demo data while PRODUCTION is set."
)

ROLE_LABELS = {
    "admin": "Quản trị",
    "leader": "Lãnh đạo",
    "unit_head": "Trưởng đơn vị",
    "officer": "Cán bộ",
    "receptionist": "Tiếp nhận",
}


class UnsafeToServe(SystemExit):
    """Exit status 2, with the message the operator must read."""

    def __init__(self, message: str) -> None:
        super().__init__(EXIT_REFUSED)
        self.message = message

    def __str__(self) -> str:
        return self.message


async def check_production_safety(settings: Settings) -> None:
    """A production server must not start while accounts with the published demo password can sign in."""
    if not settings.production:
        return
    from server.people.services import demo_accounts_exist

    if await demo_accounts_exist():
        raise UnsafeToServe(PRODUCTION_REFUSAL)


async def _with_database(work: Callable[[], Awaitable[R]]) -> R:
    from server.lib.db import close_pool, prepare_database, start_pool

    await prepare_database()
    await start_pool()
    try:
        return await work()
    finally:
        await close_pool()


def _run(work: Callable[[], Awaitable[R]]) -> R:
    return asyncio.run(_with_database(work))
