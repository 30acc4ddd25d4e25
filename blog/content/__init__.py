"""Reading the content folder: each source file to a validated document
(reader, frontmatter, dates), Markdown to HTML, and the sync that loads it all
into the cache database."""
