"""Pure text functions: normalisation, segmentation, tokens and language."""
