"""The director: turns each creator message into a change to the current ShotSpec."""
