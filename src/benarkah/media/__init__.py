"""Pictures, videos and audio people send, and the pictures in fact-check articles.

Small modules, each one step: ``sniff`` (what the bytes are), ``images``/``video`` (bounded
decoding), ``ocr`` (the text in a picture, behind an engine seam), ``screenshot`` (what the phone drew
around the claim), ``pdq`` and ``hashindex`` (perceptual hashes and their search), ``audio`` (the
transcriber seam), ``reader`` (all of it for one file), ``archive`` (article pictures in the store) and
``search`` (a picture as a query). Nothing here imports a channel or the web app.
"""
