"""What the agent calls: render submission, the critic, encoding, media storage."""
