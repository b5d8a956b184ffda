"""exportscreen: screen proposed export transactions under US export controls."""
