"""Publishing what was heard and done: composing the public pages, publishing immutable
versions, the public "we asked, you said, we did" pages, the case study, and the follow-up
notices to participants who asked for them.

Reads strategy, analysis and engagement; never wellbeing (only the support policy's list of
what is offered) and never interviews.
"""
