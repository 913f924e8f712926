"""Node-side review of paper-origin certificates: queue, pipeline run, officer decisions."""
