"""The diffusers backend: real text-to-video pipelines (Wan, LTX-Video, CogVideoX, HunyuanVideo) on a GPU."""
