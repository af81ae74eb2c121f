"""mocks/poplar"""
