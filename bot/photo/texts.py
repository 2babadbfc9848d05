"""The sentences a person gets when a photo cannot be taken in (no imports: adapters use these
too without loading Pillow)."""

NOT_AN_IMAGE = "这个文件不是图片，我打不开。请发一张照片或截图（JPG、PNG）。"
TRUNCATED = "这张图片没有传完整，我打不开。请再发一次。"
TOO_LARGE = "这张图片太大了（超过10MB），请压缩后再发，或者截个图发给我。"
TOO_MANY_PIXELS = "这张图片的尺寸太大了（像素太多），请截图或缩小后再发。"
HEIC = (
    "这张图片是苹果手机的HEIC格式，我打不开。请截个屏再发，或者在“设置→相机→格式”里"
    "选“兼容性最佳”后重拍。"
)
EMPTY = "没有收到图片内容，请再发一次。"

#: The largest photo accepted, in bytes (phones send 2-8 MB).
MAX_BYTES = 10 * 1024 * 1024
