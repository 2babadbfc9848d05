"""The counsellors' web console under /admin (README "Counsellors' console")."""
