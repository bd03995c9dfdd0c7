"""Reports of the car desk: the morning to-do list, weekly and monthly statistics."""
