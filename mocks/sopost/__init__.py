"""mocks/sopost"""
