"""Build, validate and import the PyCon US datasets: the site's edition and every earlier one."""
