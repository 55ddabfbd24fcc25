from pathlib import Path

from hopeit.app.config import AppConfig
from hopeit.testing.apps import execute_event
from simple_example.model import FileUploadInfo, SomethingFile, UploadedFile
from simple_example.uploads import safe_file_name

CONTENT = b"hello hopeit " * 5000


async def upload(app_config: AppConfig, file_name: str = "report.txt") -> FileUploadInfo:
    fields = {"id": "f-1", "user": "ana", "attachment": file_name}
    result, _body, response = await execute_event(
        app_config, "upload_something", None, fields=fields, upload={"attachment": CONTENT},
        preprocess=True, postprocess=True,
    )
    assert response.status is None
    assert isinstance(result, FileUploadInfo)
    return result


async def test_upload_saves_files_in_chunks(app_config: AppConfig, data_path: Path) -> None:
    info = await upload(app_config)
    assert info == FileUploadInfo(
        id="f-1", user="ana",
        uploaded_files=[UploadedFile(field_name="attachment", file_name="f-1-report.txt", size=len(CONTENT))],
    )
    assert (data_path / "uploads" / "f-1-report.txt").read_bytes() == CONTENT


async def test_upload_missing_fields_is_400(app_config: AppConfig) -> None:
    _result, body, response = await execute_event(
        app_config, "upload_something", None, fields={"id": "x"}, preprocess=True, postprocess=True,
    )
    assert response.status == 400
    assert body == "Missing required fields: id, user, attachment"


async def test_upload_file_names_cannot_escape(app_config: AppConfig, data_path: Path) -> None:
    info = await upload(app_config, "../../etc/passwd")
    assert info.uploaded_files[0].file_name == "f-1-passwd"
    assert safe_file_name("a b/../c?.png") == "c_.png"
    assert safe_file_name("..") == "file"


async def test_download_sends_the_file(app_config: AppConfig, data_path: Path) -> None:
    await upload(app_config)
    result, body, response = await execute_event(app_config, "download_something", None, postprocess=True,
                                                 file_name="f-1-report.txt")
    assert isinstance(result, SomethingFile) and result.size == len(CONTENT)
    assert body == "File f-1-report.txt"
    assert response.file_response == str(data_path / "uploads" / "f-1-report.txt")
    assert response.content_type == "text/plain"
    assert response.headers["Content-Disposition"] == 'attachment; filename="f-1-report.txt"'


async def test_download_missing_or_unsafe_is_404(app_config: AppConfig) -> None:
    for name in ("nope.txt", "../app-config.json", ""):
        for event in ("download_something", "download_something_streamed"):
            result, body, response = await execute_event(app_config, event, None, postprocess=True, file_name=name)
            assert result is None and response.status == 404 and body == "File not found"


async def test_download_streamed_sends_chunks(app_config: AppConfig) -> None:
    await upload(app_config)
    _result, body, response = await execute_event(app_config, "download_something_streamed", None, postprocess=True,
                                                 file_name="f-1-report.txt")
    assert body == "File f-1-report.txt"
    stream = response.stream_response
    assert stream is not None
    assert stream.resp.data == CONTENT
    assert stream.headers["Content-Length"] == str(len(CONTENT))
    assert stream.headers["Content-Type"] == "application/octet-stream"
    assert stream.resp.headers["X-Track-Request-Id"] == "test_request_id"  # track headers: on resp, as in 0.24
