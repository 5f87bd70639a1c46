"""The incident list: its filters and keyset paging."""
