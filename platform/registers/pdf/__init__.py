"""PDF work on letters: the receipt stamp, download watermarks, scans made PDFs, text for search.

Layout is typst (Thai shaped correctly with the shipped Laksaman font); pypdf lays the rendered
overlay onto the letter's pages. Nothing here touches the database.
"""
