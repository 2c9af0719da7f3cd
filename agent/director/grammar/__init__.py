"""The offline director's rule grammar: a message read word by word into the fields it names (`read_message`)."""
