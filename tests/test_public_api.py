import newsbrief


def test_all_is_sorted_and_complete() -> None:
    assert newsbrief.__all__ == sorted(newsbrief.__all__)
    public = {name for name in vars(newsbrief) if not name.startswith("_")} - {"annotations"}
    modules = {name for name in public if type(getattr(newsbrief, name)).__name__ == "module"}
    assert set(newsbrief.__all__) - {"__version__"} == public - modules


def test_summarize_from_text() -> None:
    summary = newsbrief.summarize(
        "The council approved the budget on Monday. It takes effect in May.", sentences=1
    )
    assert [s.text for s in summary.sentences] == ["The council approved the budget on Monday."]
