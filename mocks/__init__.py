"""mocks"""
