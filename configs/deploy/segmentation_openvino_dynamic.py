_base_ = ['./_base_/segmentation_dynamic.py', './_base_/backends/openvino.py']
# fp32 arithmetic (OpenVINO's CPU default is bf16 where the CPU has it).
