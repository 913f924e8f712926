"""The retention policy for documents: disposal of their bytes after ``[retention]
documents_days``, legal holds, and the rows that prove what existed (``node.retention.service``)."""
