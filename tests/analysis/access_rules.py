from coproduction.models import ExportJob
from tests.analysis.factories import ThemeFactory, code, make_document


def _theme(world):
    return ThemeFactory(project=world.project)


def _document(world):
    return make_document(world.project)


def _excerpt(world):
    return code(_document(world), 0, 12, [_theme(world)], world.analyst)


def _job(world, done=False):
    # A finished job whose file is already gone: its requester is let in and told so (410),
    # and the matrix leaves no export file behind.
    status = ExportJob.Status.DONE if done else ExportJob.Status.QUEUED
    return ExportJob.objects.create(
        project=world.project, requested_by=world.analyst, format=ExportJob.Format.QDC, status=status, file_name="gone.qdc"
    )


# An export file is for its requester alone: the coordinator, who may export too, gets a 404.
def _job_case(world, done=False):
    from tests.access import Case

    return Case(kwargs={"pk": _job(world, done).pk}, expect={"coordinator": 404}, allowed=(410,) if done else (200,))


def _chart_case(world):
    _excerpt(world)  # a coded passage: the chart has a bar to draw
    return _case()


def _case(**kwargs):
    from tests.access import Case

    return Case(**kwargs)


RULES = {
    "analysis:theme": lambda world: _case(kwargs={"pk": _theme(world).pk}),
    # POST-only: a GET is refused with 405 for those let in.
    "analysis:theme_status": lambda world: _case(kwargs={"pk": _theme(world).pk}, allowed=(405,)),
    "analysis:theme_memo": lambda world: _case(kwargs={"pk": _theme(world).pk}, allowed=(405,)),
    "analysis:document": lambda world: _case(kwargs={"pk": _document(world).pk}),
    "analysis:matrix_chart": _chart_case,
    "analysis:excerpt": lambda world: _case(kwargs={"pk": _excerpt(world).pk}, allowed=(405,)),
    "analysis:blind": lambda world: _case(allowed=(405,)),
    # Adjudication is for analysts and coordinators (the agreement page's roles); peer
    # researchers and supervisors are refused with 403, other projects' members with 404.
    "analysis:consensus": lambda world: _case(),
    "analysis:export_job": lambda world: _job_case(world),
    "analysis:export_job_status": lambda world: _job_case(world),
    "analysis:export_job_download": lambda world: _job_case(world, done=True),
}


def _imported(world, submitted):
    from tests.analysis.import_factories import imported_source

    return imported_source(world, submitted=submitted)


RULES.update(
    {
        # POST-only: a GET is refused with 405 for those let in.
        "analysis:project_import_confirm": lambda world: _case(allowed=(405,)),
        "analysis:import_batch": lambda world: _case(kwargs={"pk": _imported(world, True).batch_id}),
        "analysis:imported_notes": lambda world: _case(kwargs={"pk": _imported(world, False).pk}),
        "analysis:imported_redact": lambda world: _case(kwargs={"pk": _imported(world, False).pk}, allowed=(405,)),
        "analysis:imported_dismiss": lambda world: _case(kwargs={"pk": _imported(world, False).pk}, allowed=(405,)),
        "analysis:imported_submit": lambda world: _case(kwargs={"pk": _imported(world, False).pk}, allowed=(405,)),
        "analysis:imported_review": lambda world: _case(kwargs={"pk": _imported(world, True).pk}),
    }
)
