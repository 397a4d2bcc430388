"""The fictional sample archive: `bantin sample` writes scans/ and sample-truth/.

content (what the bulletins say, by era) → plan (IssuePlan values) → layout (pages, lines)
→ render (page images, degraded scans, PDFs with Unicode or legacy-font text layers) → truth.
"""
