"""The framework every feature builds on: declarations, dispatch, context, parsing, generic
converters, errors, replies, texts, clock, paging, help and documents. It imports no feature."""
