"""mocks/core"""
