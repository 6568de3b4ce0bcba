//! The namespace graph built from a snapshot, and the queries the views need.
